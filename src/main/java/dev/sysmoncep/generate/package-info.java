/**
 * Sysmon log lines made to order, the opposite direction of {@code dev.sysmoncep.recognise}.
 *
 * <ul>
 *   <li>{@link dev.sysmoncep.generate.SysmonLineWriter} renders one {@code SysmonEvent} as a line in
 *       the exact shape of real data: Splunk XmlWinEventLog, OTRF flat JSON or Winlogbeat ECS JSON.
 *   <li>{@link dev.sysmoncep.generate.BackgroundGenerator} writes ordinary traffic of a Windows fleet,
 *       deterministic by seed, on which no rule may fire: for load tests and false-positive checks.
 *   <li>{@link dev.sysmoncep.generate.GenerateCommand} is the {@code generate} subcommand around it.
 * </ul>
 *
 * <p>Attack data is not generated at random: the bundled scenario in {@code job/samples/attack} is
 * written event by event, with the alerts it must raise.
 */
package dev.sysmoncep.generate;
