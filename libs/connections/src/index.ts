export { SshTunnel, SshTunnelError, hostKeyFingerprint, type SshFailureKind } from './ssh/ssh-tunnel.ts';
export { SSH_DEFAULTS, type ForwardTarget, type SshTunnelConfig } from './ssh/ssh-tunnel-config.ts';
export { SecretError } from './secrets/secret-error.ts';
export { generateMasterKey } from './secrets/master-key.ts';
export {
  openVault,
  SECRET_NAME_PATTERN,
  type SecretVault,
  type SecretSummary,
  type RotationProgress,
  type RotationResult,
} from './secrets/secret-vault.ts';
export { runChecks, type CheckResult, type CheckStatus, type CheckStep } from './checks/run-checks.ts';
export { checkReachable } from './checks/reachability.ts';
export { seconds } from './config/seconds.ts';
export {
  POSTGRES_DEFAULT_PORT,
  REDSHIFT_DEFAULT_PORT,
  onePassword,
  postgresAddress,
  postgresConnectionFields,
  postgresServer,
  postgresUrlProblem,
  type NetworkAddress,
} from './config/postgres-url.ts';
