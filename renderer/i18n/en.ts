// English strings. Every string a person reads goes through `t()` so that a translation (Irish
// next) is a new file of the same shape. Placeholders are {name}.
export const en = {
  "app.name": "Meitheal",
  "app.skip": "Skip to content",
  "app.loading": "Opening Meitheal…",
  "app.noToken.title": "This page needs its key",
  "app.noToken.body":
    "Open the full address that `meitheal-peer serve` (or `npm run web`) printed. It ends with #token=… and lets only you reach your data.",
  "app.disconnected":
    "Lost the connection to the Meitheal peer. Your saved work is safe. Reload the page once the peer is running again.",
  "app.reload": "Reload",

  "nav.label": "Sections",
  "nav.stories": "Stories",
  "nav.logs": "Practice logs",
  "nav.maps": "Inquiry maps",
  "nav.collections": "Collections",
  "nav.sync": "Sync",
  "nav.settings": "Community settings",
  "nav.profile": "Your profile",

  "switcher.label": "Community",
  "switcher.new": "New community…",
  "switcher.damaged": "{name} (damaged)",
  "switcher.newer": "{name} (needs a newer Meitheal)",

  "welcome.title": "Welcome to Meitheal",
  "welcome.body":
    "Meitheal is where your community of practice writes its stories, keeps logs of what it practises, and maps the questions it explores — on your own laptops, syncing directly with each other.",
  "welcome.create": "Create a community",

  "community.create.title": "Create a community",
  "community.create.name": "Name",
  "community.create.nameHint": "For example: Wellbeing Economy Hub, Galway",
  "community.create.purpose": "Purpose",
  "community.create.purposeHint": "What the community is for: its domain, in a sentence or two.",
  "community.create.themes": "Themes",
  "community.create.themesHint": "Separated by commas. You can change them later.",
  "community.create.submit": "Create community",
  "community.damaged.title": "This community cannot be opened",
  "community.damaged.body":
    "Its index could not be read. Nothing was deleted: damaged data was moved to the quarantine folder in {dataDir}.",
  "community.newer.title": "Made with a newer Meitheal",
  "community.newer.body": "Update Meitheal to open this community. Nothing in it has been changed.",
  "community.problems": "{count} item(s) in this community could not be read and are hidden.",

  "common.cancel": "Cancel",
  "common.save": "Save",
  "common.saved": "Saved",
  "common.close": "Close",
  "common.dismiss": "Dismiss",
  "common.details": "Details",
  "common.loading": "Loading…",
  "common.updated": "Updated {when}",
  "common.created": "Created {when}",

  "stories.title": "Stories",
  "stories.new": "New story",
  "stories.newTitle": "Title of the new story",
  "stories.create": "Create story",
  "stories.empty.title": "No stories yet",
  "stories.empty.body":
    "Stories are what your community writes together: accounts of change, new narratives, value-creation stories. Start one with a title.",
  "stories.count": "{count} stories",
  "stories.filters": "Filter and sort stories",
  "stories.filter.status": "Status",
  "stories.filter.theme": "Theme",
  "stories.filter.contributor": "Contributor",
  "stories.filter.any": "Any",
  "stories.filter.anyone": "Anyone",
  "stories.filter.clear": "Clear filters",
  "stories.filter.none": "No story matches these filters.",
  "stories.sort": "Sort by",
  "stories.sort.updated": "Recently changed",
  "stories.sort.created": "Newest",
  "stories.sort.title": "Title",
  "stories.open": "Open {title}",
  "story.back": "All stories",
  "story.titleLabel": "Title",
  "story.rename": "Rename",
  "story.status": "Status",
  "story.details": "About this story",
  "story.summary": "Summary",
  "story.summaryHint": "One or two sentences: what this story is about.",
  "story.themes": "Themes",
  "story.themesHint": "Which of the community's themes this story speaks to.",
  "story.contributors": "Contributors",
  "story.noContributors": "Nobody has edited this story yet.",
  "conflict.intro": "Two values were set at the same moment. Both are kept; pick the one to use.",
  "conflict.by": "proposed by {name}",
  "conflict.byUnknown": "proposed on another device",
  "conflict.shown": "shown now",
  "conflict.choose": "Use this",
  "story.editorSoon":
    "Writing the body of a story together arrives with the story editor. For now a story has its title and status.",
  "story.damaged.title": "This story is damaged",
  "story.damaged.body":
    "Another device wrote something Meitheal cannot read into this story. It is shown here as it is, so nothing is lost; the rest of the community works as usual.",
  "story.damaged.raw": "Raw content (copy it to keep it)",
  "story.unavailable":
    "This story is not on this device yet. It will appear when a device that has it is connected.",
  "story.newer":
    "This story was changed by a newer version of Meitheal. Update Meitheal to open it; nothing here was changed.",

  "status.seed": "Seed",
  "status.draft": "Draft",
  "status.ready": "Ready",
  "status.published": "Published",

  "logs.empty.title": "No practice logs yet",
  "logs.empty.body":
    "Practice logs — entries for gatherings, experiments, reflections and decisions — arrive in a coming version of Meitheal.",
  "maps.empty.title": "No inquiry maps yet",
  "maps.empty.body":
    "Inquiry maps — the questions you explore, joined to insights, practices and stories — arrive in a coming version of Meitheal.",
  "collections.empty.title": "No collections yet",
  "collections.empty.body":
    "Collections gather ready stories into a book or a web page to share after a retreat. They arrive in a coming version of Meitheal.",
  "sync.title": "Sync",
  "sync.empty.body":
    "Finding the other laptops of your community on this network and syncing with them arrives in a coming version. Until then, everything you write is saved on this device.",
  "sync.device": "This device",
  "sync.deviceKey": "Device key",
  "sync.dataDir": "Data folder",

  "settings.title": "Community settings",
  "settings.name": "Community name",
  "settings.purpose": "Purpose",
  "settings.themes": "Themes",
  "settings.addTheme": "Add theme",
  "settings.newTheme": "New theme",
  "settings.removeTheme": "Remove theme {label}",
  "settings.themeLabel": "Theme {n}",

  "profile.title": "Your profile",
  "profile.intro": "This is how you appear to the others in your communities.",
  "profile.name": "Display name",
  "profile.colour": "Colour",

  "warnings.title": "Some saved data could not be read",
  "warnings.item": "{what}: {reason}. The damaged part was moved to {path}; the rest loaded.",
  "warnings.unknownDoc": "Document {id}",
} as const;

export type MessageKey = keyof typeof en;
