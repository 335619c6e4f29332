"""The demo data `seed_demo` loads on top of its organizations and users: one module per app,
each with `seed(*, partners, customer, stdout)`. Each is safe to run again."""

from . import customers, invitations, partners

# In this order: the customers demo accepts the invitation the invitations demo sent.
SEEDERS = (partners.seed, invitations.seed, customers.seed)
