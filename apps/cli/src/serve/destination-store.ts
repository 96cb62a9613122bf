import type { ControlPlaneStore, ManagedDestination } from '@ferry/state';
import { destinationLocationProblems } from '../config/destination-locations.ts';
import {
  checkManagedEntry,
  credentialPaths,
  deleteCredentials,
  sealCredentials,
  withCredentialReferences,
  withPasswordOutOfUrl,
  type CombinedConfig,
  type CredentialVault,
} from '../control-plane/managed-destinations.ts';
import type { DestinationConfigEntry } from '../config/schema.ts';
import { ApiError } from './route.ts';
import { entryInputProblems } from '../control-plane/entry-safety.ts';

export interface DestinationDraft {
  readonly id: string;
  readonly recipientId: string;
  readonly schedule: string;
  /** The entry as given, credentials in clear: checked, then sealed. */
  readonly entry: Record<string, unknown>;
}

/**
 * The draft as the runtime will load it (its recipient's tenant, its type's fields, its product),
 * credentials still in clear, and checked against every other destination's id and place.
 * @throws ApiError 404 (no such recipient), 422 (a field is wrong), 409 (the place is taken)
 */
export function checkDraft(config: CombinedConfig, draft: DestinationDraft): DestinationConfigEntry {
  const recipient = config.controlPlane.recipients.find((r) => r.id === draft.recipientId);
  if (!recipient) throw new ApiError(404, `no recipient "${draft.recipientId}"`);
  const unsafe = entryInputProblems(draft.entry);
  if (unsafe.length > 0) throw new ApiError(422, unsafe.join('; '));
  const checked = checkManagedEntry(config, { id: draft.id, entry: withPasswordOutOfUrl(draft.entry), schedule: draft.schedule }, recipient.tenant);
  if (!checked.entry || checked.problems.length > 0) throw new ApiError(422, checked.problems.join('; '));
  const clashes = destinationLocationProblems([...config.destinations.filter((d) => d.id !== draft.id), checked.entry]);
  if (clashes.length > 0) throw new ApiError(409, clashes.join('; '));
  return checked.entry;
}

/**
 * Stores a destination created or changed through the API or a magic link, its credentials
 * sealed, once checkDraft passes. Nothing is written when it does not.
 */
export async function storeDestination(
  context: { readonly state: { readonly controlPlane: ControlPlaneStore }; readonly vault: CredentialVault },
  config: CombinedConfig,
  draft: DestinationDraft,
  existing?: ManagedDestination,
): Promise<void> {
  checkDraft(config, draft);
  const { id, recipientId, schedule } = draft;
  const store = context.state.controlPlane;
  const entry = withPasswordOutOfUrl(draft.entry);
  const stored = withCredentialReferences(id, entry);
  if (existing) {
    await sealCredentials(id, entry, context.vault);
    if (!(await store.updateDestination({ id, recipientId, entry: stored, schedule }))) {
      // Deleted meanwhile: its credentials go with it.
      await deleteCredentials(id, stored, context.vault);
      throw new ApiError(404, `no destination "${id}"`);
    }
    // A credential the entry no longer has (a bastion password replaced by a key) is not kept sealed.
    await deleteCredentials(id, existing.entry, context.vault, credentialPaths(stored));
    return;
  }
  // The id is claimed before anything is sealed: of two requests racing for it, the loser touches no secret of the winner's.
  if (!(await store.createDestination({ id, recipientId, entry: stored, schedule }))) throw new ApiError(409, `destination id "${id}" is taken`);
  try {
    await sealCredentials(id, entry, context.vault);
  } catch (error) {
    await store.deleteDestination(id);
    await deleteCredentials(id, stored, context.vault);
    throw error;
  }
}
