import type { Principal } from '../../platform/auth/principal.js'
import {
  type AccountStore,
  type CompatIdentity,
  ensureCompatPrincipal as ensureAccount,
  lazyCompatPrincipal as lazyAccount,
} from '../compat-account.js'

/** The account that owns what seed clients (which send no credentials) record. */
export const COMPAT_EMAIL = 'heartrate-compat@pulsebase.invalid'
export const COMPAT_DEVICE_NAME = 'heartrate-compat'

const HEARTRATE_COMPAT: CompatIdentity = {
  email: COMPAT_EMAIL,
  displayName: 'Seed heart-rate clients',
  deviceName: COMPAT_DEVICE_NAME,
  deviceKind: 'other',
  adapter: 'heartrate',
}

/** The principal seed `heartrate.HeartRateMonitor` calls act for when they carry no credential (see compat-account.ts). */
export const ensureCompatPrincipal = (store: AccountStore): Promise<Principal> => ensureAccount(store, HEARTRATE_COMPAT)

export const lazyCompatPrincipal = (store: AccountStore): (() => Promise<Principal>) =>
  lazyAccount(store, HEARTRATE_COMPAT)
