/**
 * A confusion matrix as a heat map: rows are the actual labels, columns the predicted ones (the
 * server's order), each cell shaded by its share of its row, with the count as text (so the colour
 * is never the only carrier of the value).
 */
export function ConfusionMatrix({
  labels,
  matrix,
  caption,
}: {
  labels: readonly string[]
  matrix: readonly (readonly number[])[]
  caption: string
}) {
  return (
    <div class="table-wrap">
      <table class="confusion">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">actual \ predicted</th>
            {labels.map((label) => (
              <th scope="col" key={label}>
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {matrix.map((row, i) => {
            const total = row.reduce((a, b) => a + b, 0)
            return (
              <tr key={labels[i]}>
                <th scope="row">{labels[i]}</th>
                {row.map((count, j) => {
                  const share = total === 0 ? 0 : count / total
                  const style = {
                    background: `rgba(44, 111, 187, ${(share * 0.85).toFixed(3)})`,
                    color: share > 0.5 ? '#fff' : undefined,
                  }
                  return (
                    <td
                      key={labels[j]}
                      style={style}
                      title={`${count} of ${total} ${labels[i]} predicted as ${labels[j]}`}
                    >
                      {count}
                    </td>
                  )
                })}
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}
