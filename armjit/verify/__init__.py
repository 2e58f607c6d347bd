"""armjit.verify: checking armjit's code, not producing it.

* :mod:`armjit.verify.equiv` -- the Unicorn equivalence harness (armjit's code
  and asmjit's, run from the same worlds, must end in the same state);
* :mod:`armjit.verify.landmarks` -- code-pointer landmarks (asmjit's from its
  listing, armjit's from its labels) that map one layout onto the other;
* :mod:`armjit.verify.scratch` -- the scratch-register / clobber checker;
* :mod:`armjit.verify.fragment` -- LIR fragments lowered alone, for the
  differential tests against :mod:`armjit.lir.interp`.

Data flows one way: verify imports codegen, lir and cinderxlog; nothing on the
compile path imports verify.
"""
