// English strings of the maps feature, spread into en.ts. Keys start with "maps." (search strings
// with "search.").
export const mapsEn = {} as const;
