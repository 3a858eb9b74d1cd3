import type { Core } from '@strapi/strapi';
import audit from './audit';
import backfill from './backfill';
import captions from './captions';
import consumer from './consumer';
import finetune from './finetune';
import preview from './preview';
import queue from './queue';
import settings from './settings';

const services = { audit, backfill, captions, consumer, finetune, preview, queue, settings };
export default services;

type Services = { [K in keyof typeof services]: ReturnType<(typeof services)[K]> };

/** A plugin service with its type (Strapi's registry returns untyped services). */
export const getService = <K extends keyof Services>(strapi: Core.Strapi, name: K): Services[K] => strapi.plugin('altbridge').service(name) as Services[K];
