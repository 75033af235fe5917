"""In-process stand-ins for the platform's services, on 127.0.0.1 ports the system picks."""
