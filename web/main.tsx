import { render } from 'preact'
import './api/live'
import { restoreSession } from './api/session'
import { App } from './app'
import './styles.css'

render(<App />, document.getElementById('app') as HTMLElement)
void restoreSession()
