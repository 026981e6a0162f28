/** MSK broker ports inside the VPC (Amazon MSK Developer Guide, "Port information"). */
export const KAFKA_PORTS = {
  /** SASL/SCRAM over TLS. */
  scram: 9096,
  /** IAM access control over TLS. */
  iam: 9098,
} as const;

/** HTTPS, for AWS service APIs (STS, Secrets Manager, Lambda) reached through NAT or endpoints. */
export const HTTPS_PORT = 443;

/**
 * Prometheus exporters on the brokers (open monitoring): the JMX exporter and the node exporter
 * (Amazon MSK Developer Guide, "Open monitoring with Prometheus").
 */
export const PROMETHEUS_PORTS = {
  jmxExporter: 11001,
  nodeExporter: 11002,
} as const;
