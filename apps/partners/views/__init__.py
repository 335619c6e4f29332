"""Partner-organization pages (organization, team, partnerships) and the public landing pages
of one-time team and partnership links (links). Views stay thin: PartnerMixin resolves the
organization and checks the declared permission, services do the work."""
