"""Incubator residency applications (入孵申请): apply, review, accept with workstations, move in."""
