import type {
  Action,
  AudioClipTrackItem,
  FolderItem,
  premierepro,
  Project,
  ProjectItem,
  Sequence,
  VideoClipTrackItem,
} from '@adobe/premierepro';
import { HostError } from './errors.js';

/** Name of the bin that receives everything the panel imports. */
export const FRAMEWRIGHT_BIN = 'Framewright';

/** How a clip goes onto the timeline: `insert` pushes later clips right, `overwrite` replaces what is there. */
export type EditMode = 'insert' | 'overwrite';

/** A cut to mark, in seconds of the clip's media (as clip-cut reports it). */
export interface CutPoint {
  /** Time of the cut in the media file, in seconds. */
  seconds: number;
  /** SMPTE timecode of the cut in the media, shown in the marker's comment. */
  timecode?: string;
  /** Detector score of the cut, shown in the marker's comment. */
  score?: number;
}

/** The timeline clip an operation runs on. */
export interface SelectedClip {
  /** The sequence the clip lies in. */
  readonly sequence: Sequence;
  /** The media file behind the clip. */
  readonly mediaPath: string;
  /** Name of the clip's project item. */
  readonly name: string;
  /** Where the clip starts on the timeline, in sequence seconds. */
  readonly startSeconds: number;
  /** The clip's in point in its media, in seconds. */
  readonly inSeconds: number;
  /** The clip's out point in its media, in seconds. */
  readonly outSeconds: number;
}

/** A marker placed by {@link PremiereHost.addCutMarkers}. */
export interface PlacedMarker {
  /** Marker name, e.g. `Cut 2`. */
  name: string;
  /** Position on the timeline, in sequence seconds. */
  sequenceSeconds: number;
  /** The cut's time in the media, in seconds. */
  mediaSeconds: number;
}

type TrackItem = VideoClipTrackItem | AudioClipTrackItem;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Everything the panel does to a Premiere Pro project, through the `premierepro` UXP module.
 * Each user action is checked first (project, sequence, selection) so a refusal changes
 * nothing, and each timeline edit is one transaction inside `lockedAccess`: one undo step.
 *
 * @example
 * ```ts
 * const host = new PremiereHost(require('premierepro'));
 * const clip = await host.selectedClip();
 * await host.addCutMarkers(clip, result.cuts);
 * ```
 */
export class PremiereHost {
  /**
   * Wraps the host module; nothing is read from Premiere until an action runs.
   * @param ppro - the `premierepro` module (`require('premierepro')`)
   */
  constructor(private readonly ppro: premierepro) {}

  /**
   * The open project.
   * @throws HostError `NO_PROJECT`
   */
  async project(): Promise<Project> {
    const project = await this.ppro.Project.getActiveProject();
    if (!project) throw new HostError('NO_PROJECT', 'no project is open in Premiere Pro: open or create one first');
    return project;
  }

  /**
   * The active sequence of the open project.
   * @throws HostError `NO_PROJECT`, `NO_SEQUENCE`
   */
  async activeSequence(project?: Project): Promise<Sequence> {
    const sequence = await (project ?? (await this.project())).getActiveSequence();
    if (!sequence) throw new HostError('NO_SEQUENCE', 'no active sequence: open a sequence in the Timeline panel first');
    return sequence;
  }

  /**
   * The clip selected in the timeline of the active sequence, with the media file behind it.
   * Linked video and audio of one clip count as one selection.
   * @throws HostError `NO_PROJECT`, `NO_SEQUENCE`, `NO_SELECTION`, `AMBIGUOUS_SELECTION`, `NOT_A_MEDIA_CLIP`
   */
  async selectedClip(): Promise<SelectedClip> {
    const sequence = await this.activeSequence();
    const selection = await sequence.getSelection();
    const items = selection ? await selection.getTrackItems() : [];
    const clipType = this.ppro.VideoClipTrackItem.TRACKITEMTYPE_CLIP;
    const clips: TrackItem[] = [];
    for (const item of items) if ((await item.getType()) === clipType) clips.push(item);
    if (clips.length === 0) {
      throw new HostError('NO_SELECTION', `no clip is selected in sequence "${sequence.name}": select the clip to cut in the timeline`);
    }
    const found = new Map<string, { item: TrackItem; name: string }>();
    for (const item of clips) {
      const projectItem = await item.getProjectItem();
      const mediaPath = projectItem ? await this.ppro.ClipProjectItem.cast(projectItem).getMediaFilePath() : '';
      if (!mediaPath) {
        throw new HostError('NOT_A_MEDIA_CLIP', `the selected clip "${projectItem?.name ?? '?'}" has no media file (a nested sequence, graphic or offline clip): select a video clip`);
      }
      if (!found.has(mediaPath)) found.set(mediaPath, { item, name: projectItem.name });
    }
    if (found.size > 1) {
      throw new HostError('AMBIGUOUS_SELECTION', `${found.size} different media files are selected: select one clip`);
    }
    const [[mediaPath, { item, name }]] = [...found] as [[string, { item: TrackItem; name: string }]];
    const [start, inPoint, outPoint] = await Promise.all([item.getStartTime(), item.getInPoint(), item.getOutPoint()]);
    return { sequence, mediaPath, name, startSeconds: start.seconds, inSeconds: inPoint.seconds, outSeconds: outPoint.seconds };
  }

  /**
   * The media files of every clip selected in the active sequence, each once, in timeline order
   * (by start time): the stills or clips a video is generated from.
   * @throws HostError `NO_PROJECT`, `NO_SEQUENCE`, `NO_SELECTION`, `NOT_A_MEDIA_CLIP`
   */
  async selectedMedia(): Promise<string[]> {
    const sequence = await this.activeSequence();
    const selection = await sequence.getSelection();
    const items = selection ? await selection.getTrackItems() : [];
    const clipType = this.ppro.VideoClipTrackItem.TRACKITEMTYPE_CLIP;
    const found: { path: string; start: number }[] = [];
    for (const item of items) {
      if ((await item.getType()) !== clipType) continue;
      const projectItem = await item.getProjectItem();
      const mediaPath = projectItem ? await this.ppro.ClipProjectItem.cast(projectItem).getMediaFilePath() : '';
      if (!mediaPath) throw new HostError('NOT_A_MEDIA_CLIP', `the selected clip "${projectItem?.name ?? '?'}" has no media file (a nested sequence, graphic or offline clip): select stills or video clips`);
      if (!found.some((f) => f.path === mediaPath)) found.push({ path: mediaPath, start: (await item.getStartTime()).seconds });
    }
    if (found.length === 0) throw new HostError('NO_SELECTION', `nothing is selected in sequence "${sequence.name}": select one still (camera motion) or several (a video through them) in the timeline`);
    return found.sort((a, b) => a.start - b.start).map((f) => f.path);
  }

  /**
   * Imports files into the project's `Framewright` bin (made on first use).
   * @returns the project items of the imported files, in the order of `paths`
   * @throws HostError `NO_PROJECT`, `IMPORT_FAILED`
   */
  async importFiles(paths: readonly string[]): Promise<ProjectItem[]> {
    if (paths.length === 0) return [];
    const project = await this.project();
    const bin = await this.framewrightBin(project);
    let imported: boolean;
    try {
      imported = await project.importFiles([...paths], true, bin, false);
    } catch (error) {
      throw new HostError('IMPORT_FAILED', `Premiere Pro could not import ${paths.join(', ')}: ${messageOf(error)}`, { cause: error });
    }
    if (!imported) throw new HostError('IMPORT_FAILED', `Premiere Pro refused to import ${paths.join(', ')} (unsupported format or unreadable file)`);
    const byPath = await this.itemsByMediaPath(this.ppro.FolderItem.cast(bin));
    return paths.map((path) => {
      const item = byPath.get(path);
      if (item === undefined) throw new HostError('IMPORT_FAILED', `${path} was imported but is not in the ${FRAMEWRIGHT_BIN} bin`);
      return item;
    });
  }

  /**
   * Imports a media file into the `Framewright` bin and edits it into the active sequence at
   * the playhead, as one undo step.
   * @param videoTrack - 0-based video track (a new track is made when it does not exist)
   * @param audioTrack - 0-based audio track
   * @throws HostError `NO_PROJECT`, `NO_SEQUENCE` (checked before anything is imported), `IMPORT_FAILED`, `EDIT_FAILED`
   */
  async insertAtPlayhead(path: string, mode: EditMode = 'insert', videoTrack = 0, audioTrack = 0): Promise<{ atSeconds: number }> {
    const project = await this.project();
    const sequence = await this.activeSequence(project);
    const [item] = (await this.importFiles([path])) as [ProjectItem];
    const time = await sequence.getPlayerPosition();
    const editor = this.ppro.SequenceEditor.getEditor(sequence);
    this.transact(project, `Framewright: ${mode} ${item.name}`, (add) => {
      add(mode === 'insert' ? editor.createInsertProjectItemAction(item, time, videoTrack, audioTrack, false) : editor.createOverwriteItemAction(item, time, videoTrack, audioTrack));
    });
    return { atSeconds: time.seconds };
  }

  /**
   * Adds one sequence marker per cut that falls inside the clip's visible range, mapping media
   * time to sequence time, as one undo step.
   * @returns the markers placed (none when no cut lies inside the clip's in/out range)
   * @throws HostError `EDIT_FAILED`
   */
  async addCutMarkers(clip: SelectedClip, cuts: readonly CutPoint[]): Promise<PlacedMarker[]> {
    const visible = cuts.filter((c) => c.seconds > clip.inSeconds && c.seconds < clip.outSeconds);
    if (visible.length === 0) return [];
    const project = await this.project();
    const markers = await this.ppro.Markers.getMarkers(clip.sequence);
    const placed = visible.map((cut, i) => ({
      name: `Cut ${i + 1}`,
      sequenceSeconds: clip.startSeconds + (cut.seconds - clip.inSeconds),
      mediaSeconds: cut.seconds,
      comment: `Framewright clip-cut on ${clip.name}${cut.timecode ? ` at ${cut.timecode}` : ''}${cut.score === undefined ? '' : ` (score ${cut.score.toFixed(2)})`}`,
    }));
    const { Marker, TickTime } = this.ppro;
    this.transact(project, `Framewright: ${placed.length} cut marker${placed.length === 1 ? '' : 's'}`, (add) => {
      for (const m of placed) {
        add(markers.createAddMarkerAction(m.name, Marker.MARKER_TYPE_COMMENT, TickTime.createWithSeconds(m.sequenceSeconds), TickTime.TIME_ZERO, m.comment));
      }
    });
    return placed.map(({ name, sequenceSeconds, mediaSeconds }) => ({ name, sequenceSeconds, mediaSeconds }));
  }

  /**
   * Imports a cut list (FCP7 XML) into the `Framewright` bin; Premiere Pro builds a sequence of
   * the clips from it.
   * @throws HostError `NO_PROJECT`, `IMPORT_FAILED`
   */
  async importCutList(xmlPath: string): Promise<void> {
    const project = await this.project();
    const bin = await this.framewrightBin(project);
    let imported: boolean;
    try {
      imported = await project.importFiles([xmlPath], true, bin, false);
    } catch (error) {
      throw new HostError('IMPORT_FAILED', `Premiere Pro could not import the cut list ${xmlPath}: ${messageOf(error)}`, { cause: error });
    }
    if (!imported) throw new HostError('IMPORT_FAILED', `Premiere Pro refused to import the cut list ${xmlPath}`);
  }

  /**
   * Imports an edited timeline (FCP7 XML, e.g. clip-cut's with `remove`) into the `Framewright`
   * bin and opens the sequence Premiere Pro builds from it.
   * @returns the new sequence
   * @throws HostError `NO_PROJECT`, `IMPORT_FAILED` (also when no new sequence appears)
   */
  async importEditedTimeline(xmlPath: string): Promise<Sequence> {
    const project = await this.project();
    const before = new Set(await project.getSequences());
    await this.importCutList(xmlPath);
    const made = (await project.getSequences()).filter((sequence) => !before.has(sequence));
    const sequence = made[made.length - 1];
    if (sequence === undefined) throw new HostError('IMPORT_FAILED', `Premiere Pro imported ${xmlPath} but built no sequence from it`);
    if (!(await project.openSequence(sequence))) throw new HostError('IMPORT_FAILED', `Premiere Pro built sequence "${sequence.name}" but could not open it`);
    return sequence;
  }

  /** The `Framewright` bin at the project root, made (one undo step) when missing. */
  private async framewrightBin(project: Project): Promise<ProjectItem> {
    const root = await project.getRootItem();
    const existing = await this.findBin(root);
    if (existing !== undefined) return existing;
    this.transact(project, `Framewright: create ${FRAMEWRIGHT_BIN} bin`, (add) => add(root.createBinAction(FRAMEWRIGHT_BIN, false)));
    const made = await this.findBin(root);
    if (made === undefined) throw new HostError('IMPORT_FAILED', `Premiere Pro did not create the ${FRAMEWRIGHT_BIN} bin`);
    return made;
  }

  private async findBin(root: FolderItem): Promise<ProjectItem | undefined> {
    const items = await root.getItems();
    return items.find((item) => item.type === this.ppro.ProjectItem.TYPE_BIN && item.name === FRAMEWRIGHT_BIN);
  }

  private async itemsByMediaPath(bin: FolderItem): Promise<Map<string, ProjectItem>> {
    const byPath = new Map<string, ProjectItem>();
    for (const item of await bin.getItems()) {
      if (item.type !== this.ppro.ProjectItem.TYPE_CLIP) continue;
      const path = await this.ppro.ClipProjectItem.cast(item).getMediaFilePath();
      if (path) byPath.set(path, item);
    }
    return byPath;
  }

  /**
   * Runs one undoable transaction under the project lock. Actions are made inside the lock, as
   * Premiere requires; if making one throws, the transaction is abandoned and nothing changes.
   */
  private transact(project: Project, label: string, build: (add: (action: Action) => void) => void): void {
    let ok = false;
    let failure: unknown;
    project.lockedAccess(() => {
      try {
        ok = project.executeTransaction((compound) => {
          build((action) => {
            if (!compound.addAction(action)) throw new Error('an action was refused');
          });
        }, label);
      } catch (error) {
        failure = error;
      }
    });
    if (failure !== undefined || !ok) {
      throw new HostError('EDIT_FAILED', `Premiere Pro refused "${label}"${failure === undefined ? '' : `: ${messageOf(failure)}`}; the project is unchanged`, { cause: failure });
    }
  }
}
