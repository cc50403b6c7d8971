"""SMS over SMPP 3.4 (provider.SmppProvider)."""
