// English strings of collections, export, backup/restore, import and harvest, spread into en.ts.
export const collectionsEn = {} as const;
