"""Search over news, policy and the catalogue: one interface, two engines."""
