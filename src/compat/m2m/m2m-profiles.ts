import type { Kysely } from 'kysely'
import type { User } from '../../domains/auth/auth.schema.js'
import { getUser } from '../../domains/auth/auth.service.js'
import { AppError } from '../../errors.js'
import type { Database } from '../../platform/db/schema.js'
import { isUniqueViolation } from '../../platform/db/unique-violation.js'
import type { M2mProfile, M2mProfileBody, StoredM2mProfile } from './m2m.schema.js'
import * as profiles from './m2m-profiles.repository.js'

// The seed's `/user` document for the caller only: the user id always comes from the token.

const sameEmail = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase()

/** The body without identity, with the seed's defaults (`miscInfo: {}`, `games: []`). */
function storedFrom(account: User, body: M2mProfileBody): StoredM2mProfile {
  const { email, ...fields } = body
  if (email !== undefined && !sameEmail(email, account.email)) {
    throw new AppError('invalid_argument', "body.email must be your account's email; leave it out or send that one", [
      { path: 'body.email', message: "must be your account's email" },
    ])
  }
  return { ...fields, miscInfo: fields.miscInfo ?? {}, games: fields.games ?? [] }
}

function documentOf(account: User, stored: StoredM2mProfile): M2mProfile {
  return { id: account.id, email: account.email, ...stored, name: stored.name ?? account.displayName }
}

/** The caller's document, or null when they have not created one (the seed answered `null` too). */
export async function readProfile(db: Kysely<Database>, userId: string): Promise<M2mProfile | null> {
  const [account, row] = await Promise.all([getUser(db, userId), profiles.findProfile(db, userId)])
  return row === undefined ? null : documentOf(account, JSON.parse(row.document) as StoredM2mProfile)
}

export async function createProfile(db: Kysely<Database>, userId: string, body: M2mProfileBody): Promise<M2mProfile> {
  const account = await getUser(db, userId)
  const stored = storedFrom(account, body)
  try {
    await profiles.insertProfile(db, userId, JSON.stringify(stored), Date.now())
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('conflict', 'You already have a profile; PUT /user replaces it')
    throw error
  }
  return documentOf(account, stored)
}

export async function replaceProfile(db: Kysely<Database>, userId: string, body: M2mProfileBody): Promise<M2mProfile> {
  const account = await getUser(db, userId)
  const stored = storedFrom(account, body)
  if (!(await profiles.replaceProfile(db, userId, JSON.stringify(stored), Date.now()))) {
    throw new AppError('not_found', 'You have no profile yet; POST /user creates it')
  }
  return documentOf(account, stored)
}

/** Deletes the profile, never the account; deleting a missing profile is not an error. */
export async function deleteProfile(db: Kysely<Database>, userId: string): Promise<void> {
  await profiles.deleteProfile(db, userId)
}
