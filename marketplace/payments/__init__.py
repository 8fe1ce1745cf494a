"""Payments: Stripe (online) and offline bank transfer (对公转账), behind one interface."""
