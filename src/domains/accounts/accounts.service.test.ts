// Account deletion runs every module's cleaner in one transaction: a failing cleaner leaves the
// account whole; after the commit the credentials end and the cleaners' after-commit steps run.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { pino } from 'pino'
import { databaseTargets, type OpenedTestDatabase, openTestDatabase } from '../../../test/helpers/databases.js'
import type { CredentialsEnded } from '../../platform/auth/credential-watch.js'
import { deleteUserRows } from '../../platform/db/user-rows.js'
import { createUser } from '../auth/auth.service.js'
import { findUserById } from '../auth/users.repository.js'
import { type AccountsDeps, deleteAccount, type NamedAccountCleaner } from './accounts.service.js'

for (const target of await databaseTargets()) {
  describe(`account deletion through the modules' cleaners on ${target.kind}`, { skip: target.skip }, () => {
    let opened: OpenedTestDatabase
    before(async () => {
      opened = await openTestDatabase(target)
    })
    after(async () => {
      await opened?.close()
    })

    const newUser = async (email: string) =>
      (
        await createUser(
          { db: opened.database.db, now: Date.now },
          { email, password: 'long enough password', role: 'user' },
        )
      ).id
    const deps = (cleaners: NamedAccountCleaner[], ended: CredentialsEnded[] = []) =>
      ({
        db: opened.database.db,
        cleaners,
        endCredentials: (e: CredentialsEnded) => ended.push(e),
        logger: pino({ level: 'silent' }),
      }) as unknown as AccountsDeps

    test('a cleaner that throws rolls the whole deletion back: the rows of the cleaners before it stay too', async () => {
      const userId = await newUser(`rollback-${target.kind}@example.com`)
      await opened.database.db
        .insertInto('auth_sessions')
        .values({
          id: crypto.randomUUID(),
          user_id: userId,
          created_at: Date.now(),
          expires_at: Date.now() + 60_000,
          revoked_at: null,
        })
        .execute()
      const steps: string[] = []
      const cleaners: NamedAccountCleaner[] = [
        {
          name: 'first',
          clean: async (trx, id) => (
            await deleteUserRows(trx, id, ['auth_sessions']),
            async () => void steps.push('first')
          ),
        },
        { name: 'broken', clean: async () => Promise.reject(new Error('boom')) },
      ]
      const ended: CredentialsEnded[] = []
      await assert.rejects(deleteAccount(deps(cleaners, ended), userId), /boom/)
      assert.ok((await findUserById(opened.database.db, userId)) !== undefined, 'the user is still there')
      const sessions = await opened.database.db
        .selectFrom('auth_sessions')
        .select('id')
        .where('user_id', '=', userId)
        .execute()
      assert.equal(sessions.length, 1, "the first cleaner's delete was rolled back")
      assert.deepEqual([steps, ended], [[], []], 'no after-commit step ran and no credential ended')
    })

    test('cleaners run in the given order inside the transaction; their steps run after the commit, a failing one is only logged', async () => {
      const userId = await newUser(`order-${target.kind}@example.com`)
      const calls: string[] = []
      const cleaner = (name: string, step?: () => Promise<void>): NamedAccountCleaner => ({
        name,
        clean: async () => (calls.push(name), step),
      })
      const ended: CredentialsEnded[] = []
      await deleteAccount(
        deps(
          [
            cleaner('sensors', async () => {
              // Runs after the commit: the user row is already gone.
              calls.push(
                `sensors after, user ${(await findUserById(opened.database.db, userId)) === undefined ? 'gone' : 'there'}`,
              )
              throw new Error('blob store down')
            }),
            cleaner('ml', async () => void calls.push('ml after')),
            cleaner('devices'),
          ],
          ended,
        ),
        userId,
      )
      assert.deepEqual(calls, ['sensors', 'ml', 'devices', 'sensors after, user gone', 'ml after'])
      assert.deepEqual(ended, [{ reason: 'deleted', userId }])
      await assert.rejects(deleteAccount(deps([cleaner('late')]), userId), /No user/)
      assert.equal(calls.includes('late'), false, 'no cleaner runs for a user that does not exist')
    })
  })
}
