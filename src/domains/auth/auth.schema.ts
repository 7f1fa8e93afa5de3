import { type Static, Type } from 'typebox'
import { Role } from '../../platform/auth/principal.js'

const Email = Type.String({ format: 'email', maxLength: 320, description: 'Compared case-insensitively' })
const Password = Type.String({ minLength: 8, maxLength: 200 })
const Bpm = (description: string) => Type.Integer({ minimum: 20, maximum: 250, description })

/** Profile settings; later domains read their limits from here (alert thresholds, ages, time zone). */
export const UserSettings = Type.Object(
  {
    birthYear: Type.Optional(Type.Integer({ minimum: 1900, maximum: 2100 })),
    restingHeartRate: Type.Optional(Bpm('Resting heart rate, for Karvonen zones')),
    maxHeartRate: Type.Optional(Bpm('Measured maximum heart rate; otherwise 220 - age')),
    timeZone: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description:
          'IANA time zone (Europe/Berlin) or a fixed offset (+05:45); the default for day and hour buckets. Default UTC',
      }),
    ),
    heartRate: Type.Optional(
      Type.Object(
        {
          lowAlert: Type.Optional(
            Bpm('An alert episode opens below this, in bpm (default 50). Samples are stored whatever it is'),
          ),
          highAlert: Type.Optional(
            Bpm('An alert episode opens above this, in bpm (default 150). Samples are stored whatever it is'),
          ),
        },
        {
          additionalProperties: false,
          description: 'Per-user alert thresholds (not the plausibility range, which is fixed at 20-250 bpm)',
        },
      ),
    ),
  },
  { additionalProperties: false },
)
export type UserSettings = Static<typeof UserSettings>

/** The roles a person can have; a device acts with its owner's. */
export { Role }

export const User = Type.Object(
  {
    id: Type.String(),
    email: Type.String(),
    role: Role,
    displayName: Type.Union([Type.String(), Type.Null()]),
    settings: UserSettings,
    createdAt: Type.String({ format: 'date-time' }),
  },
  { title: 'User' },
)
export type User = Static<typeof User>

export const RegisterBody = Type.Object(
  { email: Email, password: Password, displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) },
  {
    additionalProperties: false,
    title: 'RegisterRequest',
    examples: [{ email: 'ada@example.com', password: 'correct horse battery', displayName: 'Ada' }],
  },
)
export type RegisterBody = Static<typeof RegisterBody>

export const LoginBody = Type.Object(
  { email: Email, password: Type.String({ minLength: 1, maxLength: 200 }) },
  {
    additionalProperties: false,
    title: 'LoginRequest',
    examples: [{ email: 'ada@example.com', password: 'correct horse battery' }],
  },
)
export type LoginBody = Static<typeof LoginBody>

export const RefreshBody = Type.Object(
  {
    refreshToken: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'Required unless the session is kept in the refresh cookie',
      }),
    ),
  },
  { additionalProperties: false },
)

export const Tokens = Type.Object({
  accessToken: Type.String(),
  refreshToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'Seconds until the access token expires' }),
})
export type Tokens = Static<typeof Tokens>

/** Tokens as answered: without `refreshToken` when the client asked for the refresh cookie. */
export const TokensReply = Type.Object({
  ...Tokens.properties,
  refreshToken: Type.Optional(
    Type.String({
      description: 'Absent when the request sent `Pulsebase-Session: cookie` (then it is in the httpOnly cookie)',
    }),
  ),
})

export const Session = Type.Object({ user: User, ...TokensReply.properties }, { title: 'Session' })

/** What registration answers (202) when the address must be verified before the first login. */
export const VerificationPending = Type.Object(
  {
    user: User,
    verificationRequired: Type.Literal(true, {
      description: 'A token was mailed to the address; log in after POST /v1/auth/verify-email',
    }),
  },
  { title: 'VerificationPending' },
)
export const TokenBody = Type.Object(
  { token: Type.String({ minLength: 10, maxLength: 200 }) },
  { additionalProperties: false },
)
export const EmailBody = Type.Object(
  { email: Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$', maxLength: 320 }) },
  { additionalProperties: false },
)

export const Me = Type.Object({
  user: User,
  device: Type.Union([Type.Object({ id: Type.String() }), Type.Null()], {
    description: 'Set when a device key was used',
  }),
})

export const PatchMeBody = Type.Object(
  {
    displayName: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()])),
    settings: Type.Optional(UserSettings),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type PatchMeBody = Static<typeof PatchMeBody>

export const CreateUserBody = Type.Object(
  { ...RegisterBody.properties, role: Type.Optional(Role) },
  { additionalProperties: false },
)
export type CreateUserBody = Static<typeof CreateUserBody>

export const PatchUserBody = Type.Object({ role: Role }, { additionalProperties: false })
