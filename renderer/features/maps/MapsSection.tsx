// The "Inquiry maps" section: the community's maps, or one map.
import { MapPage } from "./MapPage.tsx";
import { MapsList } from "./MapsList.tsx";

export function MapsSection({
  mapId,
  focus,
}: {
  mapId: string | null;
  /** A node's id: the map opens with it selected and in the middle. */
  focus: string | null;
}) {
  return mapId ? <MapPage key={mapId} mapId={mapId} focus={focus} /> : <MapsList />;
}
