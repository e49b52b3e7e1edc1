"""Test support: small graphs, reference laws (brute-force C(u), q(n|u), goodness of fit),
and the sampler cases of the contract test. Test modules import from here, never from
each other."""
