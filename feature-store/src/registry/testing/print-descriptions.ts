// Prints describeView of the fixture views as JSON: the registry test runs this under tsx (what the engine and
// the CLI load code with) to check it describes and hashes exactly as under vitest.
import { describeView } from '../describe-view.js'
import { fixtureViews } from './fixture-views.js'

process.stdout.write(JSON.stringify(fixtureViews.map(describeView)))
