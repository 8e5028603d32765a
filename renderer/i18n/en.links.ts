// English strings of the links feature, spread into en.ts. Keys start with "links." (search strings
// with "search.").
export const linksEn = {} as const;
