"""The responsibility register: who decides, is responsible for, coordinates what."""
