import { type Static, Type } from 'typebox'

// A person's game-therapy profile: a goal, self-assessment scores and the games they play. Its
// shape is the m2m seed's mongoose User/Game schemas (CONTRACTS §4.2), and field names keep the
// seed's spelling (`selfAssesmentScore`), since the seed's clients send and read them as they are.

export const ProfileGame = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    gameData: Type.Object({ level: Type.Number(), score: Type.Number() }, { additionalProperties: false }),
  },
  { additionalProperties: false },
)

/** What a person writes. Identity is the caller's, so there is no `id`. */
export const ProfileBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    email: Type.Optional(
      Type.String({ maxLength: 320, description: "Optional; when sent it must be the account's email" }),
    ),
    msScore: Type.Optional(Type.Number()),
    selfAssesmentScore: Type.Optional(Type.Number()),
    miscInfo: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Free-form; stored as sent' })),
    goal: Type.String({ minLength: 1, maxLength: 2000 }),
    games: Type.Optional(Type.Array(ProfileGame, { maxItems: 10000 })),
  },
  { additionalProperties: false },
)
export type ProfileBody = Static<typeof ProfileBody>

/** The stored JSON: the profile fields without identity (that stays in `users`), defaults filled in. */
export const StoredProfile = Type.Object({
  ...Type.Omit(ProfileBody, ['email', 'miscInfo', 'games']).properties,
  miscInfo: Type.Record(Type.String(), Type.Unknown()),
  games: Type.Array(ProfileGame),
})
export type StoredProfile = Static<typeof StoredProfile>

/** A profile as read: the account's id and email with the stored fields. */
export const Profile = Type.Object({
  id: Type.String({ format: 'uuid', description: 'The pulsebase user id' }),
  email: Type.String(),
  name: Type.Union([Type.String(), Type.Null()], {
    description: "The profile's name, else the account's display name",
  }),
  msScore: Type.Optional(Type.Number()),
  selfAssesmentScore: Type.Optional(Type.Number()),
  miscInfo: Type.Record(Type.String(), Type.Unknown()),
  goal: Type.String(),
  games: Type.Array(ProfileGame),
})
export type Profile = Static<typeof Profile>
