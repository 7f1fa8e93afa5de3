import { type Static, Type } from 'typebox'

// The m2m seed's mongoose schemas (CONTRACTS §4.2): User{name, email, msScore?, selfAssesmentScore?,
// miscInfo:{}, goal (required), games:[Game]} and Game{name (required), gameData:{level, score}}.
// Field names keep the seed's spelling (`selfAssesmentScore`): its clients send and read them.

export const M2mGame = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    gameData: Type.Object({ level: Type.Number(), score: Type.Number() }, { additionalProperties: false }),
  },
  { additionalProperties: false },
)

/** What `POST /user` and `PUT /user` take. Identity is the token's, so there is no `id`. */
export const M2mProfileBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    email: Type.Optional(Type.String({ maxLength: 320, description: "Optional; when sent it must be the account's email" })),
    msScore: Type.Optional(Type.Number()),
    selfAssesmentScore: Type.Optional(Type.Number()),
    miscInfo: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Free-form; stored as sent' })),
    goal: Type.String({ minLength: 1, maxLength: 2000 }),
    games: Type.Optional(Type.Array(M2mGame, { maxItems: 10000 })),
  },
  { additionalProperties: false },
)
export type M2mProfileBody = Static<typeof M2mProfileBody>

/** The stored JSON: the seed's profile fields, without identity (that stays in `users`). */
export interface StoredM2mProfile {
  readonly name?: string
  readonly msScore?: number
  readonly selfAssesmentScore?: number
  readonly miscInfo: Record<string, unknown>
  readonly goal: string
  readonly games: Static<typeof M2mGame>[]
}

/** What `GET /user` answers: the account's id and email with the stored profile. */
export const M2mProfile = Type.Object({
  id: Type.String({ format: 'uuid', description: 'The pulsebase user id' }),
  email: Type.String(),
  name: Type.Union([Type.String(), Type.Null()], { description: "The profile's name, else the account's display name" }),
  msScore: Type.Optional(Type.Number()),
  selfAssesmentScore: Type.Optional(Type.Number()),
  miscInfo: Type.Record(Type.String(), Type.Unknown()),
  goal: Type.String(),
  games: Type.Array(M2mGame),
})
export type M2mProfile = Static<typeof M2mProfile>

export const M2mError = Type.Object({ error: Type.String() })
