"""Settings: `base` holds what every environment shares; each environment module adds its own."""
