import type { ComponentChildren } from 'preact'

/** A table with column headers that scrolls sideways on a narrow screen instead of widening the page. */
export function Table({
  headers,
  caption,
  children,
}: {
  headers: readonly string[]
  caption?: ComponentChildren
  children: ComponentChildren
}) {
  return (
    <div class="table-wrap">
      <table>
        {caption !== undefined && <caption>{caption}</caption>}
        <thead>
          <tr>
            {headers.map((header) => (
              <th scope="col" key={header}>
                {header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  )
}
