import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Type } from 'typebox'
import { compileOnFirstValidation, lazySerializerCompiler, strictValidatorCompiler } from './validator-compiler.js'

test("a route's validator compiles on its first request, once, and hands Fastify each call's errors", () => {
  const build = strictValidatorCompiler({}, {}) as (
    route: object,
  ) => ((data: unknown) => boolean) & { errors?: unknown }
  let compiles = 0
  const validate = compileOnFirstValidation(() => {
    compiles += 1
    return build({ schema: Type.Object({ n: Type.Number() }), method: 'POST', url: '/x', httpPart: 'body' }) as never
  })
  assert.equal(compiles, 0, 'nothing is compiled before a request')
  assert.equal(validate({ n: 'Infinity' }), false, 'bodies are not coerced')
  assert.match(JSON.stringify(validate.errors), /must be number/)
  assert.equal(validate({ n: 1 }), true)
  assert.equal(validate.errors, null, "a passing call leaves no earlier call's errors")
  assert.equal(compiles, 1)
})

test('a response serializer compiles on its first use and serializes by its schema', () => {
  const compile = lazySerializerCompiler({}, {})
  const serialize = compile({
    schema: Type.Object({ n: Type.Number() }),
    method: 'GET',
    url: '/x',
    httpStatus: '200',
  })
  assert.equal(serialize({ n: 2, secret: 'left out' }), '{"n":2}')
})
