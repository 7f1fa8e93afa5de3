import { Type } from 'typebox'

const Password = Type.String({ minLength: 8, maxLength: 200, description: 'At least 8 characters' })
const Confirm = Type.String({ minLength: 1, maxLength: 200, description: 'The current password' })

export const DeleteMeBody = Type.Object(
  { password: Confirm },
  { additionalProperties: false, title: 'DeleteAccountRequest', examples: [{ password: 'correct horse battery' }] },
)

export const ChangePasswordBody = Type.Object(
  { currentPassword: Confirm, newPassword: Password },
  {
    additionalProperties: false,
    title: 'ChangePasswordRequest',
    examples: [{ currentPassword: 'correct horse battery', newPassword: 'battery staple horse' }],
  },
)

export const PasswordResetRequestBody = Type.Object(
  { email: Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$', maxLength: 320 }) },
  { additionalProperties: false, title: 'PasswordResetRequest', examples: [{ email: 'ada@example.com' }] },
)

export const PasswordResetConfirmBody = Type.Object(
  {
    token: Type.String({ minLength: 10, maxLength: 200, description: 'The token from the mailed link' }),
    newPassword: Password,
  },
  { additionalProperties: false, title: 'PasswordResetConfirm' },
)

export const AdminUserParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) })
