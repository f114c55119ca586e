/** The workflows as a later release with edited defaults and decline table would bundle them. */
import './alter-tables';
export * from '../../../workflows';
