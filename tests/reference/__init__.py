"""Today's simulator, frozen: the round-by-round engine and the policies as they were before the
event-driven engine (issue 14), kept as the reference the new engine is tested against
(tests/sim/test_reference_engine.py). Not part of the package; do not change it to follow the package."""
