import { Type } from 'typebox'

// The m2m seed's wire shapes: its profile document is the profiles domain's; errors are its own.
export { ProfileBody as M2mProfileBody, Profile as M2mProfile } from '../../domains/profiles/profiles.schema.js'

/** The seed's error body, `{"error": "..."}`. */
export const M2mError = Type.Object({ error: Type.String() })
