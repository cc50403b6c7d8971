"""SMS through an HTTPS gateway: JSON over one kept-alive session, delivery reports by signed callback."""
