// Learning progress: modules hold sections, sections hold questions; each newly answered question
// earns POINTS_PER_QUESTION, counted into its section's and module's totals; a repeat adds nothing
// (the Deep Learning Playground's rule, CONTRACTS §5A).
import { Type } from 'typebox'
import type { Principal } from '../../platform/auth/principal.js'
import type { Db } from '../../platform/db/database.js'
import * as repo from './playground.repository.js'

export const POINTS_PER_QUESTION = 10

const Id = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._:-]+$' })
export const AnswerBody = Type.Object({ moduleId: Id, sectionId: Id, questionId: Id }, { additionalProperties: false })

const Section = Type.Object({ points: Type.Integer(), questions: Type.Record(Type.String(), Type.Integer()) })
const ProgressModule = Type.Object({ points: Type.Integer(), sections: Type.Record(Type.String(), Section) })
export const Progress = Type.Object({
  totalPoints: Type.Integer(),
  modules: Type.Record(Type.String(), ProgressModule),
})
export const AnswerResult = Type.Object({
  isNew: Type.Boolean({ description: 'false for a question already answered: no points added' }),
  progress: Progress,
})

export interface Progress {
  totalPoints: number
  modules: Record<
    string,
    { points: number; sections: Record<string, { points: number; questions: Record<string, number> }> }
  >
}

export async function getProgress(db: Db, owner: Principal): Promise<Progress> {
  const progress: Progress = { totalPoints: 0, modules: {} }
  for (const answer of await repo.listAnswers(db, owner.userId)) {
    const module = (progress.modules[answer.module_id] ??= { points: 0, sections: {} })
    const section = (module.sections[answer.section_id] ??= { points: 0, questions: {} })
    section.questions[answer.question_id] = POINTS_PER_QUESTION
    section.points += POINTS_PER_QUESTION
    module.points += POINTS_PER_QUESTION
    progress.totalPoints += POINTS_PER_QUESTION
  }
  return progress
}

export async function recordAnswer(
  db: Db,
  owner: Principal,
  answer: { moduleId: string; sectionId: string; questionId: string },
  now: number,
): Promise<{ isNew: boolean; progress: Progress }> {
  const isNew = await repo.insertAnswer(db, {
    user_id: owner.userId,
    module_id: answer.moduleId,
    section_id: answer.sectionId,
    question_id: answer.questionId,
    answered_at: now,
  })
  return { isNew, progress: await getProgress(db, owner) }
}

/** The seed's shape: `{moduleID: {"modulePoints": n, sectionID: {"sectionPoints": n, questionID: 10}}}` (`{}` for a new user). */
export function seedProgress(progress: Progress): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Object.entries(progress.modules).map(([moduleId, module]) => [
      moduleId,
      {
        modulePoints: module.points,
        ...Object.fromEntries(
          Object.entries(module.sections).map(([sectionId, section]) => [
            sectionId,
            { sectionPoints: section.points, ...section.questions },
          ]),
        ),
      },
    ]),
  )
}
