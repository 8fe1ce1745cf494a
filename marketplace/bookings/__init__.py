"""Instrument machine-time bookings and their payments."""
