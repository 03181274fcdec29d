"""Two optional C extensions: the pattern relaxation's pricing program (kvopt/patterns/_pricing.c) and the
simulator's round loop for a few policies (kvopt/sim/_admission.c). Where they cannot be compiled, kvopt
installs without them and uses the pure-Python code, which is slower."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("kvopt.patterns._pricing", ["kvopt/patterns/_pricing.c"],
                             extra_compile_args=["-O2"], optional=True),
                   Extension("kvopt.sim._admission", ["kvopt/sim/_admission.c"],
                             extra_compile_args=["-O2"], optional=True)])
