// A fake of Premiere Pro's `premierepro` UXP module for tests, in Node and in the browser.
// Every member it implements is typed with the real @adobe/premierepro declarations (through
// `implement<T>()`, which keeps each signature), so a host call with a wrong signature does
// not compile. It enforces what Premiere enforces: actions are made and transactions run only
// under `lockedAccess`, and a transaction applies all of its actions or none.
import type {
  Action,
  ClipProjectItem,
  CompoundAction,
  FolderItem,
  Markers,
  premierepro,
  Project,
  ProjectItem,
  Sequence,
  SequenceEditor,
  TickTime,
  TrackItemSelection,
  VideoClipTrackItem,
} from '@adobe/premierepro';

/** A clip selected in the fake timeline. */
export interface FakeSelectedClip {
  mediaPath: string;
  name?: string;
  startSeconds: number;
  inSeconds: number;
  outSeconds: number;
}

/** The situation the fake starts in. */
export interface FakeScenario {
  /** A project is open (default true). */
  project?: boolean;
  /** The project has an active sequence (default true). */
  sequence?: boolean;
  /** Clips selected in the active sequence (default none). */
  selection?: FakeSelectedClip[];
  /** Playhead position in seconds (default 0). */
  playerSeconds?: number;
  /** importFiles answers false. */
  refuseImport?: boolean;
  /** executeTransaction answers false. */
  refuseTransactions?: boolean;
  /**
   * Contents of FCP7 XML files the project may import: Premiere builds a sequence from each, named
   * as the XML's sequence, with its video clipitems (an .xml not given here builds a sequence
   * named after the file, as a page that cannot read files sees it).
   */
  xmlFiles?: Record<string, string>;
}

/** What the fake project holds and what was done to it. */
export interface FakeState {
  bins: string[];
  items: { name: string; path: string; bin: string }[];
  imports: string[][];
  transactions: { label: string; actions: string[] }[];
  markers: { name: string; type: string; startSeconds: number; durationSeconds: number; comments: string }[];
  timeline: { mode: 'insert' | 'overwrite'; name: string; atSeconds: number; videoTrack: number; audioTrack: number }[];
  /** Sequences built from imported XML, and how many video clips each holds (-1: not read). */
  sequences: { name: string; videoClips: number; from: string }[];
  /** The sequence opened last. */
  opened?: string;
}

/** A fake `premierepro` module and the state it records. */
export interface FakePremiere {
  module: premierepro;
  state: FakeState;
}

const TICKS_PER_SECOND = 254016000000;
const TYPE_CLIP = 1;
const TYPE_BIN = 2;
const TYPE_ROOT = 3;
const TRACKITEMTYPE_CLIP = 1;

/** Returns a function that accepts an object implementing some members of `T` with their real signatures. */
function implement<T>() {
  return <K extends keyof T>(members: Pick<T, K>): T => members as unknown as T;
}

function tick(seconds: number): TickTime {
  return implement<TickTime>()({
    seconds,
    ticks: String(Math.round(seconds * TICKS_PER_SECOND)),
    ticksNumber: Math.round(seconds * TICKS_PER_SECOND),
  });
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** A recorded action: applied when its transaction commits. */
interface FakeAction {
  describe: string;
  apply(): void;
}

/** Makes a fake Premiere Pro in the given situation. */
export function createFakePremiere(scenario: FakeScenario = {}): FakePremiere {
  const state: FakeState = { bins: [], items: [], imports: [], transactions: [], markers: [], timeline: [], sequences: [] };
  let locked = false;
  const requireLock = (what: string) => {
    if (!locked) throw new Error(`${what} called outside project.lockedAccess`);
  };
  const action = (describe: string, apply: () => void): Action => {
    requireLock(describe);
    return { describe, apply } satisfies FakeAction;
  };

  const clipItem = (name: string, path: string): ProjectItem => implement<ProjectItem>()({ name, type: TYPE_CLIP, getId: () => `item:${path}` });
  const mediaPathOf = new Map<ProjectItem, string>();
  const binItems = new Map<string, ProjectItem>();
  const folderOf = new Map<ProjectItem, FolderItem>();

  const makeFolder = (binName: string | undefined): FolderItem =>
    implement<FolderItem>()({
      getItems: async () =>
        binName === undefined
          ? state.bins.map((b) => binItems.get(b)!)
          : state.items.filter((i) => i.bin === binName).map((i) => {
              const item = clipItem(i.name, i.path);
              mediaPathOf.set(item, i.path);
              return item;
            }),
      createBinAction: (name: string, makeUnique: boolean) =>
        action(`create bin ${name}`, () => {
          const unique = makeUnique && state.bins.includes(name) ? `${name} ${state.bins.length + 1}` : name;
          state.bins.push(unique);
          const item = implement<ProjectItem>()({ name: unique, type: TYPE_BIN, getId: () => `bin:${unique}` });
          binItems.set(unique, item);
          folderOf.set(item, makeFolder(unique));
        }),
    });
  const root = makeFolder(undefined);
  const rootItem = implement<ProjectItem>()({ name: 'root', type: TYPE_ROOT, getId: () => 'root' });
  folderOf.set(rootItem, root);

  const selection = (scenario.selection ?? []).map((clip) => {
    const item = clipItem(clip.name ?? baseName(clip.mediaPath), clip.mediaPath);
    mediaPathOf.set(item, clip.mediaPath);
    return implement<VideoClipTrackItem>()({
      getType: async () => TRACKITEMTYPE_CLIP,
      getProjectItem: async () => item,
      getStartTime: async () => tick(clip.startSeconds),
      getInPoint: async () => tick(clip.inSeconds),
      getOutPoint: async () => tick(clip.outSeconds),
    });
  });

  const sequence: Sequence = implement<Sequence>()({
    name: 'Sequence 01',
    getPlayerPosition: async () => tick(scenario.playerSeconds ?? 0),
    getSelection: async () => implement<TrackItemSelection>()({ getTrackItems: async () => selection }),
  });

  const markers = implement<Markers>()({
    getMarkers: () => [],
    createAddMarkerAction: (name: string, markerType?: string, startTime?: TickTime, duration?: TickTime, comments?: string) =>
      action(`add marker ${name}`, () => {
        state.markers.push({ name, type: markerType ?? 'Comment', startSeconds: startTime?.seconds ?? 0, durationSeconds: duration?.seconds ?? 0, comments: comments ?? '' });
      }),
  });

  const sequences: Sequence[] = [];
  const project: Project = implement<Project>()({
    name: 'Fake project',
    path: '/projects/fake.prproj',
    getActiveSequence: async () => (scenario.sequence === false ? (null as unknown as Sequence) : sequence),
    getRootItem: async () => root,
    importFiles: async (filePaths: string[], _suppressUI?: boolean, targetBin?: ProjectItem, _asNumberedStills?: boolean) => {
      if (scenario.refuseImport) return false;
      const bin = targetBin?.type === TYPE_BIN ? targetBin.name : 'root';
      state.imports.push([...filePaths]);
      for (const path of filePaths) {
        state.items.push({ name: baseName(path), path, bin });
        if (path.toLowerCase().endsWith('.xml')) {
          const built = sequenceFromXml(path, scenario.xmlFiles?.[path]);
          state.sequences.push(built);
          sequences.push(implement<Sequence>()({ name: built.name }));
        }
      }
      return true;
    },
    getSequences: async () => [sequence, ...sequences],
    openSequence: async (opened: Sequence) => {
      state.opened = opened.name;
      return true;
    },
    lockedAccess: (callback: () => void) => {
      locked = true;
      try {
        callback();
      } finally {
        locked = false;
      }
    },
    executeTransaction: (callback: (compoundAction: CompoundAction) => void, undoString?: string) => {
      requireLock('executeTransaction');
      const staged: FakeAction[] = [];
      const compound = implement<CompoundAction>()({
        addAction: (a: Action) => {
          staged.push(a as FakeAction);
          return true;
        },
      });
      callback(compound);
      if (scenario.refuseTransactions) return false;
      for (const a of staged) a.apply();
      state.transactions.push({ label: undoString ?? '', actions: staged.map((a) => a.describe) });
      return true;
    },
  });

  const editor = implement<SequenceEditor>()({
    createInsertProjectItemAction: (projectItem: ProjectItem, time: TickTime, videoTrackIndex: number, audioTrackIndex: number, _limitShift: boolean) =>
      action(`insert ${projectItem.name}`, () => {
        state.timeline.push({ mode: 'insert', name: projectItem.name, atSeconds: time.seconds, videoTrack: videoTrackIndex, audioTrack: audioTrackIndex });
      }),
    createOverwriteItemAction: (projectItem: ProjectItem, time: TickTime, videoTrackIndex: number, audioTrackIndex: number) =>
      action(`overwrite ${projectItem.name}`, () => {
        state.timeline.push({ mode: 'overwrite', name: projectItem.name, atSeconds: time.seconds, videoTrack: videoTrackIndex, audioTrack: audioTrackIndex });
      }),
  });

  type P = premierepro;
  const module = implement<P>()({
    Project: implement<P['Project']>()({ getActiveProject: async () => (scenario.project === false ? (null as unknown as Project) : project) }),
    ProjectItem: implement<P['ProjectItem']>()({ TYPE_CLIP, TYPE_BIN, TYPE_ROOT }),
    FolderItem: implement<P['FolderItem']>()({
      cast: (projectItem: ProjectItem) => {
        const folder = folderOf.get(projectItem);
        if (folder === undefined) throw new Error(`FolderItem.cast: ${projectItem.name} is not a bin`);
        return folder;
      },
    }),
    ClipProjectItem: implement<P['ClipProjectItem']>()({
      cast: (projectItem: ProjectItem) => implement<ClipProjectItem>()({ getMediaFilePath: async () => mediaPathOf.get(projectItem) ?? '' }),
    }),
    VideoClipTrackItem: implement<P['VideoClipTrackItem']>()({ TRACKITEMTYPE_CLIP }),
    SequenceEditor: implement<P['SequenceEditor']>()({ getEditor: (_sequence: Sequence) => editor }),
    Markers: implement<P['Markers']>()({ getMarkers: async (_owner: Sequence | ClipProjectItem) => markers }),
    Marker: implement<P['Marker']>()({ MARKER_TYPE_COMMENT: 'Comment', MARKER_TYPE_CHAPTER: 'Chapter', MARKER_TYPE_FLVCUEPOINT: 'FLVCuePoint', MARKER_TYPE_WEBLINK: 'WebLink' }),
    TickTime: implement<P['TickTime']>()({ createWithSeconds: (seconds: number) => tick(seconds), TIME_ZERO: tick(0) }),
  });
  return { module, state };
}

/** The sequence Premiere builds from an FCP7 XML: its first sequence's name and the clipitems of its video. */
function sequenceFromXml(path: string, xml: string | undefined): { name: string; videoClips: number; from: string } {
  if (xml === undefined) return { name: baseName(path).replace(/\.xml$/i, ''), videoClips: -1, from: path };
  const sequence = xml.slice(xml.indexOf('<sequence'));
  const name = /<name>([^<]*)<\/name>/.exec(sequence)?.[1] ?? baseName(path);
  // The clipitems between the sequence's <video> and its closing tag (file media nest <video> too).
  let depth = 0;
  let videoClips = 0;
  for (const tag of sequence.matchAll(/<(\/?)(video|clipitem)\b/g)) {
    if (tag[2] === 'video') {
      depth += tag[1] === '/' ? -1 : 1;
      if (depth === 0) break;
    } else if (tag[1] === '' && depth > 0) videoClips++;
  }
  return { name: name.replace(/&amp;/g, '&'), videoClips, from: path };
}
