/**
 * @berth/host: what every service needs from the Linux host underneath it:
 * the mount table (/proc/self/mountinfo), running a program and collecting
 * its output, small state files (pid files, conmon's exit files) and the
 * state of a process.
 */
export { type MountEntry, escapeMountPath, isMountPoint, mountPoints, mountsUnder, parseMountInfo, readMountInfo, unescapeMountPath } from './mountinfo';
export { CommandError, type CommandOptions, type CommandResult, runCommand, runCommandSync } from './command';
export { readExitFile, readPidFile, readPidFileSync, readTextFile, readTextFileSync, writePidFile } from './state-files';
export { type ProcessState, currentBootId, processAlive, processState } from './processes';
