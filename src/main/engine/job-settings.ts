import type { CaptionLook } from '../../shared/caption-styles.ts';
import type { Loudness, MusicMix, VideoEncoding, VoicePreset } from '../../shared/presets.ts';
import type { Pipeline, RecipeDefaults } from '../db/schema.ts';
import type { DirectionMap, Prosody } from '../script/types.ts';

/** A voice preset as a job froze it (the preset's own shape, src/shared/presets.ts, checked). */
export type VoiceSettings = Omit<VoicePreset, 'name' | 'prosody' | 'directionMap'> & {
  prosody: Prosody;
  directionMap: DirectionMap;
};

/**
 * A video preset as a job froze it. Jobs made before presets carried loudness and a music mix have
 * neither: their videos are not normalized, and take no music.
 */
export type VideoSettings = { slug: string; captionStyle?: string } & VideoEncoding & {
    loudness?: Loudness;
    music?: MusicMix;
    /** Absent in jobs made before transitions: those cut. */
    transition?: string;
    /** Absent in jobs made before the limit existed: no limit. */
    maxDurationSeconds?: number | null;
  };

/** The version of the caption style a job runs with, as it was when the job was made. */
export type CaptionStyleSettings = { slug: string; version: number } & CaptionLook;

/**
 * Everything a job runs with, frozen when the job is created (recipe version, presets, input):
 * editing a preset later changes the next job, never a job already made.
 */
export interface JobSettings {
  recipe: { id: string; slug: string; version: number; pipeline: Pipeline; defaults: RecipeDefaults };
  voice: VoiceSettings;
  video: VideoSettings;
  /** Absent in jobs made before caption styles existed: those keep the look of the time ("clean"). */
  captionStyle?: CaptionStyleSettings;
  input: ScriptJobInput;
  /** Absent in jobs made before media roots existed: those get none. */
  media?: MediaSettings;
}

/** Where a script's media may come from besides its own folder (the `media.roots` setting). */
export interface MediaSettings {
  roots: string[];
}

/** A job made from a script file the user wrote. */
export interface ScriptFileInput {
  kind: 'script';
  /** Absolute path of the script file. */
  scriptPath: string;
  /** Absolute path the finished video is delivered to. */
  outputPath: string;
}

/** A job whose script Claude writes from a title and a brief. */
export interface BriefInput {
  kind: 'brief';
  title: string;
  brief: string;
  outputPath: string;
}

export type ScriptJobInput = ScriptFileInput | BriefInput;
