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
export { destinationPermissionChecks } from './checks/destination-checks.ts';
