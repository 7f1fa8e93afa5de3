import { useState } from 'preact/hooks'
import { call } from '../../api/session'
import type { Answer } from '../../api/types'
import { ErrorNote } from '../../components/status'

type Recommendation = Answer<'/v1/recommendations/meditation', 'post'>

/** Asks the latest model for the next period's configuration. */
export function RecommendationPanel() {
  const [recommendation, setRecommendation] = useState<Recommendation | undefined>(undefined)
  const [error, setError] = useState<unknown>(undefined)
  const [isBusy, setBusy] = useState(false)

  async function ask() {
    setBusy(true)
    setError(undefined)
    try {
      setRecommendation(await call((api) => api.POST('/v1/recommendations/meditation', { body: {} })))
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }

  return (
    <section aria-labelledby="recommend-title">
      <h2 id="recommend-title">Next configuration</h2>
      <button type="button" onClick={() => void ask()} disabled={isBusy}>
        Recommend a configuration
      </button>
      <ErrorNote error={error} />
      {recommendation && (
        <dl class="facts" aria-label="Recommendation">
          <dt>Beat frequency</dt>
          <dd>{recommendation.beatFrequency} Hz</dd>
          <dt>Visualization</dt>
          <dd>{recommendation.visualization}</dd>
          <dt>Breathing multiplier</dt>
          <dd>{recommendation.breathingMultiplier}</dd>
          <dt>Predicted heart rate</dt>
          <dd>{Math.round(recommendation.predictedHeartRate * 10) / 10} bpm</dd>
          <dt>Model</dt>
          <dd>
            version {recommendation.modelVersion}, {recommendation.candidates} configurations scored
          </dd>
        </dl>
      )}
    </section>
  )
}
