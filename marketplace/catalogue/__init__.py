"""The catalogue: shared instruments, incubators and technology listings of institutions."""
