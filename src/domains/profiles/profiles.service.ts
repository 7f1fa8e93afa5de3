import type { Kysely } from 'kysely'
import type { User } from '../auth/auth.schema.js'
import { getUser } from '../auth/auth.service.js'
import { AppError } from '../../errors.js'
import type { Database } from '../../platform/db/schema.js'
import { isUniqueViolation } from '../../platform/db/unique-violation.js'
import type { Profile, ProfileBody, StoredProfile } from './profiles.schema.js'
import * as profiles from './profiles.repository.js'
import type { Clock } from '../../platform/time/clock.js'

/** What writing a profile needs: the database and the platform's clock (`updated_at`). */
export interface ProfilesDeps {
  readonly db: Kysely<Database>
  readonly now: Clock
}

// A person's profile, read and written for the caller only: the user id always comes from the credentials.

const sameEmail = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase()

/** The body without identity, with the seed's defaults (`miscInfo: {}`, `games: []`). */
function storedFrom(account: User, body: ProfileBody): StoredProfile {
  const { email, ...fields } = body
  if (email !== undefined && !sameEmail(email, account.email)) {
    throw new AppError('invalid_argument', "body.email must be your account's email; leave it out or send that one", [
      { path: 'body.email', message: "must be your account's email" },
    ])
  }
  return { ...fields, miscInfo: fields.miscInfo ?? {}, games: fields.games ?? [] }
}

function documentOf(account: User, stored: StoredProfile): Profile {
  return { id: account.id, email: account.email, ...stored, name: stored.name ?? account.displayName }
}

/** The caller's profile, or null when they have not created one. */
export async function readProfile(db: Kysely<Database>, userId: string): Promise<Profile | null> {
  const [account, row] = await Promise.all([getUser(db, userId), profiles.findProfile(db, userId)])
  return row === undefined ? null : documentOf(account, JSON.parse(row.document) as StoredProfile)
}

/** Creates the caller's profile; `conflict` when they have one. */
export async function createProfile(deps: ProfilesDeps, userId: string, body: ProfileBody): Promise<Profile> {
  const account = await getUser(deps.db, userId)
  const stored = storedFrom(account, body)
  try {
    await profiles.insertProfile(deps.db, userId, JSON.stringify(stored), deps.now())
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('conflict', 'You already have a profile; replace it instead')
    throw error
  }
  return documentOf(account, stored)
}

/** Replaces the caller's profile; `not_found` when they have none yet. */
export async function replaceProfile(deps: ProfilesDeps, userId: string, body: ProfileBody): Promise<Profile> {
  const account = await getUser(deps.db, userId)
  const stored = storedFrom(account, body)
  if (!(await profiles.replaceProfile(deps.db, userId, JSON.stringify(stored), deps.now()))) {
    throw new AppError('not_found', 'You have no profile yet; create it first')
  }
  return documentOf(account, stored)
}

/** Deletes the profile, never the account; deleting a missing profile is not an error. */
export async function deleteProfile(db: Kysely<Database>, userId: string): Promise<void> {
  await profiles.deleteProfile(db, userId)
}
