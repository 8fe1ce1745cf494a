"""Users, institutions and who may act for which institution."""
