// `npm run web`'s command, `node --import tsx peer/cli.ts serve` (the build step before it is npm test's own),
// every contract method over its RPC WebSocket, as the browser window calls them.
import { smokeSuite } from "./suite.ts";

smokeSuite("web");
