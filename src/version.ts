/** pulsebase's version (the package's), reported by `GET /v1/version` and the OpenAPI document. */
export const VERSION = '0.1.0'
