// Placeholder until the search feature lands (being written now).
import type { IndexView } from "../logs/LogsSection.tsx";

export function SearchLauncher(_props: { communityId: string; index: IndexView }) {
  return null;
}
