"""HTTP and websockets: limits, transports, health checks, and input a caller sends wrongly."""
