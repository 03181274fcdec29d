"""The pattern relaxation's pricing program in C (kvopt/patterns/_pricing.c). Optional: where it cannot be
compiled, kvopt installs without it and kvopt.patterns uses the pure-Python program, which is slower."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("kvopt.patterns._pricing", ["kvopt/patterns/_pricing.c"],
                             extra_compile_args=["-O2"], optional=True)])
