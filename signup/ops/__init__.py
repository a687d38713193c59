"""Operations: logs, Prometheus metrics, and the health probes."""
