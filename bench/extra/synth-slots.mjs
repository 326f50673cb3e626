// A synthetic slot-filling set in the style of ATIS flight queries (lower-case, short, many slot types), for the
// one thing no reachable public data tests: many categories (60 slot types listed, 58 of them in the templates; BILOU:
// 233 tags). It is generated from
// templates and value lists with a seeded PRNG, so it is easy (both engines score high): read its F1 as a sanity
// check only, and its training and tagging times as what many categories cost.
//   node --import tsx bench/extra/synth-slots.mjs <outRoot>   (make.sh runs it)
import { prng } from '../../lib/ner/crf.ts';
import { buildDataset } from './build.mjs';

const out = process.argv[2];
if (!out) throw new Error('usage: synth-slots.mjs <outRoot>');


const CITIES = ['boston', 'denver', 'atlanta', 'dallas', 'pittsburgh', 'baltimore', 'philadelphia', 'san francisco', 'new york', 'washington', 'oakland', 'milwaukee', 'detroit', 'charlotte', 'toronto', 'montreal', 'seattle', 'phoenix', 'houston', 'miami', 'orlando', 'tampa', 'memphis', 'nashville', 'salt lake city', 'las vegas', 'los angeles', 'san diego', 'san jose', 'st. louis', 'kansas city', 'minneapolis', 'st. paul', 'cincinnati', 'cleveland', 'columbus', 'indianapolis', 'chicago', 'newark', 'tacoma', 'ontario', 'burbank', 'long beach', 'westchester county', 'fort worth'];
const AIRLINES = ['united', 'delta', 'american', 'continental', 'us air', 'northwest', 'twa', 'eastern', 'america west', 'alaska airlines', 'lufthansa', 'air canada', 'canadian airlines', 'midwest express', 'tower air', 'nationair'];
const AIRLINE_CODES = ['ua', 'dl', 'aa', 'co', 'us', 'nw', 'tw', 'ea', 'hp', 'as', 'lh', 'ac', 'cp', 'yx', 'ff', 'nx'];
const AIRPORTS = ['general mitchell international', 'logan', 'love field', 'stapleton', 'la guardia', 'jfk', 'ohare', 'midway', 'dulles', 'bwi', 'lester b. pearson', 'mccarran', 'hartsfield', 'sky harbor'];
const AIRPORT_CODES = ['bos', 'den', 'atl', 'dfw', 'pit', 'bwi', 'phl', 'sfo', 'jfk', 'lga', 'iad', 'dca', 'oak', 'mke', 'dtw', 'clt', 'yyz', 'sea', 'phx', 'iah', 'mia', 'mco', 'tpa', 'mem', 'bna', 'slc', 'las', 'lax', 'san', 'sjc', 'stl', 'mci', 'msp', 'cvg', 'cle', 'cmh', 'ind', 'ord', 'ewr'];
const STATES = ['california', 'texas', 'georgia', 'colorado', 'pennsylvania', 'maryland', 'new york', 'florida', 'tennessee', 'utah', 'nevada', 'missouri', 'minnesota', 'ohio', 'indiana', 'illinois', 'new jersey', 'washington', 'arizona', 'michigan', 'wisconsin', 'quebec', 'ontario'];
const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const DAY_NUMBERS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth', 'eleventh', 'twelfth', 'fifteenth', 'twentieth', 'twenty first', 'twenty second', 'twenty fifth', 'thirtieth', '1', '2', '3', '12', '15', '21', '28'];
const TIMES = ['8 am', '9 am', '10 am', 'noon', '1 pm', '2 pm', '3 pm', '5 pm', '6 pm', '7 pm', '8 pm', '9 pm', '1000', '1200', '1530', '1700', '2100', '6 oclock', '7 oclock', 'midnight'];
const PERIODS = ['morning', 'afternoon', 'evening', 'night', 'early morning', 'late evening', 'late night', 'mid morning'];
const TIME_RELATIVE = ['before', 'after', 'around', 'by', 'earlier than', 'later than'];
const CLASSES = ['first class', 'coach', 'business class', 'economy', 'thrift'];
const FARE_CODES = ['qx', 'qo', 'qw', 'y', 'f', 'h', 'bh', 'm', 'k', 'b'];
const MEALS = ['breakfast', 'lunch', 'dinner', 'snack', 'meal'];
const AIRCRAFT = ['737', '747', '757', '767', 'dc10', 'md80', 'd9s', 'm80', '72s', '100', 'j31', 'f28'];
const COST_RELATIVE = ['cheapest', 'least expensive', 'lowest', 'most expensive', 'under', 'less than'];
const FARE_AMOUNTS = ['200 dollars', '300 dollars', '500 dollars', '1000 dollars', '150 dollars', '400 dollars'];
const FLIGHT_MOD = ['last', 'first', 'earliest', 'latest', 'next', 'shortest'];
const TRANSPORT = ['taxi', 'limousine', 'rental car', 'bus', 'ground transportation', 'air taxi operation'];
const DAYS_CODE = ['sa', 'su', 'daily'];
const TODAY_RELATIVE = ['today', 'tomorrow', 'tonight', 'this week', 'next week', 'day after tomorrow'];
const DATE_RELATIVE = ['on', 'before', 'after', 'between'];
const ROUND = ['round trip', 'one way'];
const FLIGHT_DAYS = ['daily', 'weekdays', 'weekends'];
const RESTRICT = ['ap/57', 'ap/80', 'ap/58', 'ap/68', 's/3'];
const COMPASS = ['north', 'south', 'east', 'west', 'downtown'];
const STOP = ['nonstop', 'direct', 'one stop', 'connecting'];
const MEAL_CODES = ['s', 'sd/d', 'b', 'l'];
const NUMBERS = ['100', '296', '1291', '838', '459', '21', '1209', '417', '323', '1765', '4400', '825', '3724'];
const ECONOMY = ['economy', 'discount', 'budget'];
const FLIGHT_TIME = ['flight time', 'arrival time', 'departure time', 'schedule'];
const TIME_ZONE = ['eastern', 'central', 'mountain', 'pacific'];

// slot type -> values (each a token sequence joined by spaces)
const SLOTS = {
  'fromloc.city_name': CITIES, 'toloc.city_name': CITIES, 'stoploc.city_name': CITIES, 'city_name': CITIES,
  'fromloc.airport_name': AIRPORTS, 'toloc.airport_name': AIRPORTS, 'airport_name': AIRPORTS,
  'fromloc.airport_code': AIRPORT_CODES, 'toloc.airport_code': AIRPORT_CODES, 'airport_code': AIRPORT_CODES,
  'fromloc.state_name': STATES, 'toloc.state_name': STATES, 'state_name': STATES,
  'airline_name': AIRLINES, 'airline_code': AIRLINE_CODES,
  'depart_date.day_name': DAYS, 'depart_date.month_name': MONTHS, 'depart_date.day_number': DAY_NUMBERS,
  'depart_date.today_relative': TODAY_RELATIVE, 'depart_date.date_relative': DATE_RELATIVE,
  'arrive_date.day_name': DAYS, 'arrive_date.month_name': MONTHS, 'arrive_date.day_number': DAY_NUMBERS,
  'return_date.day_name': DAYS, 'return_date.month_name': MONTHS, 'return_date.day_number': DAY_NUMBERS,
  'depart_time.time': TIMES, 'depart_time.period_of_day': PERIODS, 'depart_time.time_relative': TIME_RELATIVE,
  'arrive_time.time': TIMES, 'arrive_time.period_of_day': PERIODS, 'arrive_time.time_relative': TIME_RELATIVE,
  'return_time.period_of_day': PERIODS, 'depart_time.period_mod': ['early', 'late', 'mid'],
  'class_type': CLASSES, 'fare_basis_code': FARE_CODES, 'meal_description': MEALS, 'meal_code': MEAL_CODES,
  'aircraft_code': AIRCRAFT, 'cost_relative': COST_RELATIVE, 'fare_amount': FARE_AMOUNTS, 'flight_mod': FLIGHT_MOD,
  'transport_type': TRANSPORT, 'days_code': DAYS_CODE, 'round_trip': ROUND, 'flight_days': FLIGHT_DAYS,
  'restriction_code': RESTRICT, 'fromloc.compass': COMPASS, 'toloc.compass': COMPASS, 'flight_stop': STOP,
  'flight_number': NUMBERS, 'economy': ECONOMY, 'flight_time': FLIGHT_TIME, 'time_zone_code': TIME_ZONE,
  'mod': ['only', 'also', 'any'], 'connect': ['connecting', 'connection'], 'or': ['or'],
  'period_of_day': PERIODS, 'day_name': DAYS, 'month_name': MONTHS,
};

// templates: words, with {slot} placeholders
const TEMPLATES = [
  'show me flights from {fromloc.city_name} to {toloc.city_name}',
  'i would like a flight from {fromloc.city_name} to {toloc.city_name} on {depart_date.day_name}',
  'what flights leave {fromloc.city_name} {depart_date.today_relative} {depart_time.time_relative} {depart_time.time}',
  'list {flight_stop} flights from {fromloc.airport_code} to {toloc.airport_code} on {airline_name}',
  'i need a {round_trip} ticket from {fromloc.city_name} to {toloc.city_name} {class_type}',
  'what is the {cost_relative} fare from {fromloc.city_name} to {toloc.city_name}',
  'show me the {flight_mod} flight from {fromloc.city_name} to {toloc.city_name} on {depart_date.month_name} {depart_date.day_number}',
  'which airlines fly from {fromloc.airport_name} to {toloc.city_name} in the {depart_time.period_of_day}',
  'does {airline_code} flight {flight_number} serve {meal_description}',
  'what type of aircraft is {aircraft_code}',
  'what does fare code {fare_basis_code} mean',
  'what does restriction {restriction_code} mean',
  'what is {meal_code}',
  'is there {transport_type} from the {airport_name} airport to {city_name}',
  'how do i get from {fromloc.airport_code} to {toloc.compass} {toloc.city_name}',
  'flights from {fromloc.city_name} {fromloc.state_name} to {toloc.city_name} {toloc.state_name} arriving {arrive_date.day_name} {arrive_time.period_of_day}',
  'i want to fly from {fromloc.city_name} to {toloc.city_name} {depart_date.date_relative} {depart_date.month_name} {depart_date.day_number} and return {return_date.month_name} {return_date.day_number}',
  'show {economy} flights from {fromloc.city_name} to {toloc.city_name} with a stop in {stoploc.city_name}',
  'what is the {flight_time} for {airline_name} flights from {fromloc.city_name} arriving {arrive_time.time_relative} {arrive_time.time}',
  'list airports in {state_name}',
  'which flights from {fromloc.city_name} to {toloc.city_name} run on {days_code}',
  'are there {flight_days} flights from {fromloc.city_name} to {toloc.city_name} under {fare_amount}',
  'show me {connect} flights from {fromloc.city_name} to {toloc.city_name} {depart_time.period_mod} {depart_time.period_of_day}',
  'i {mod} want flights from {fromloc.airport_name} to {toloc.airport_name} on {day_name} {or} {arrive_date.day_name}',
  'what {time_zone_code} time does the {airline_code} flight arrive in {toloc.city_name} on {arrive_date.month_name} {arrive_date.day_number}',
  'flights from {fromloc.compass} {fromloc.city_name} to {toloc.state_name} returning in the {return_time.period_of_day}',
  'what are the fares in {month_name} for flights from {fromloc.city_name} to {toloc.city_name} in the {period_of_day}',
];

function generate(n, seed) {
  const r = prng(seed);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const sents = [];
  for (let i = 0; i < n; i++) {
    const tokens = [];
    const tags = [];
    for (const part of pick(TEMPLATES).split(' ')) {
      const m = /^\{(.+)\}$/.exec(part);
      if (!m) {
        tokens.push(part);
        tags.push('O');
        continue;
      }
      const words = pick(SLOTS[m[1]]).split(' ');
      words.forEach((w, k) => {
        tokens.push(w);
        tags.push(`${k === 0 ? 'B' : 'I'}-${m[1]}`);
      });
    }
    sents.push({ tokens, tags });
  }
  return sents;
}

buildDataset(out, 'slots_synth', { train: generate(4000, 1), test: generate(900, 2), dev: generate(500, 3) }, {
  language: 'en',
  sources: { train: ['generated: bench/extra/synth-slots.mjs, seed 1'], test: ['seed 2'], dev: ['seed 3'] },
  notes: { synthetic: 'ATIS-style templates and value lists; many categories, easy: F1 is a sanity check only' },
});
console.log(`slots_synth: ${Object.keys(SLOTS).length} slot types listed, ${TEMPLATES.join(' ').match(/\{[^}]+\}/g).filter((v, i, a) => a.indexOf(v) === i).length} in the templates, in ${out}/slots_synth`);
